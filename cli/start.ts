// `olzk start`: the main job. For now it starts the Home devnet with its defaults.
export async function run(argv: string[]): Promise<number | void> {
  const devnet = await import("../home/devnet/cli.ts");
  return devnet.run(argv);
}
