/** A one-line progress display: redrawn in place on a terminal, printed every 25% otherwise (CI logs). */
export class Progress {
  private lastQuarter = -1;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  update(done: number, detail: string): void {
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const line = `${this.label.padEnd(16)}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} calls  ${detail}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}`);
      if (done === this.total) this.out.write('\n');
      return;
    }
    const quarter = Math.floor((done / this.total) * 4);
    if (quarter !== this.lastQuarter) {
      this.lastQuarter = quarter;
      this.out.write(`${line}\n`);
    }
  }
}
