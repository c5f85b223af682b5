// What every invariant throws: the simulator stops and prints the seed (world.ts, scenario.ts, mixed-checks.ts).
export class Violation extends Error {}
