// How big a frame may be. Heartbeat 3 allows messages of up to 256 KiB because v2 clusters
// carried whole CIB documents in them; a v1 pair's frames are under 1 KiB (the largest captured
// off Heartbeat 3.0.6 is 374 bytes). twinbeat refuses anything past 16 KiB before buffering it,
// so a babbling serial line or a flood of junk datagrams costs at most that much memory.
export const MAX_FRAME_BYTES = 16 * 1024;

/** At most this many fields per frame (a v1 status frame has about 15). */
export const MAX_FIELDS = 256;
