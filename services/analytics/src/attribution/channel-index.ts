/** Channel names to dense indexes, so totals live in plain arrays rather than maps per journey. */
export class ChannelIndex {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  idOf(channel: string): number {
    let id = this.ids.get(channel);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(channel, id);
      this.names.push(channel);
    }
    return id;
  }
}
