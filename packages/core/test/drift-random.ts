/** Seeded random numbers for the drift tests (mulberry32 + Box-Muller): the same draws on every run. */
export class SeededRandom {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space sigma. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A response length in tokens: a rounded log-normal (so with ties), at least 1. */
  tokens(median: number, sigma = 0.6): number {
    return Math.max(1, Math.round(this.lognormal(median, sigma)));
  }

  /** A latency in seconds: 0.2 s plus a log-normal part. */
  latency(median = 1.2, sigma = 0.5): number {
    return 0.2 + this.lognormal(median, sigma);
  }
}
