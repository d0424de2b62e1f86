/** An external class used as a hook argument type (`./src/models.js:Token`). */
export class Token {
  constructor(readonly symbol: string) {}

  describe(): string {
    return `token ${this.symbol}`;
  }
}
