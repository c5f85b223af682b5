// src/wire: Heartbeat's frame formats, their digests, replay protection and the stream
// splitter for the serial line. Knows nothing of links or of the core's messages.
export { decodeFrame, encodeFrame, type Decoded, type FrameFormat } from './codec';
export { digest, cksumCrc, sign, verify } from './auth';
export { encodeNetstring } from './netstring';
export { digestText, stringField, textFields, type WireField } from './fields';
export { createFrameSplitter } from './splitter';
export { ReplayGuard } from './replay';
export { DROP_REASONS, emptyDropCounters, type DropReason, type DropCounters } from './reasons';
export { MAX_FRAME_BYTES } from './limits';
