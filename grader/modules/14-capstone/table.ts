/** `pnpm capstone table`: filled in below. */
export async function runTable(_o: { target: 'starter' | 'solution'; origin: 'http' | 'pg'; say: (l: string) => void; seconds: number; rate: number; peers: boolean }): Promise<number> {
  return 0;
}
