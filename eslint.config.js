import tseslint from "typescript-eslint";

/**
 * Imports of these folders, by relative path from anywhere in the repository; a home/ folder also
 * by its sibling path (`../devnet/...` from home/model).
 */
const folders = (...names) =>
  names.flatMap((n) => [`**/${n}`, `**/${n}/**`, ...(n.startsWith("home/") ? [`../${n.slice(5)}`, `../${n.slice(5)}/**`] : [])]);

/** Import rules between folders (README "Architecture"): what each folder may not import. */
const importRules = [
  {
    // The model imports no server, no client, nothing of the services that use it.
    files: ["home/model/**/*.ts"],
    forbid: folders("home/devnet", "home/api", "home/risk", "home/attestation", "relayer", "prover", "cli", "verifier-ts", "scripts", "contracts/deploy"),
    message: "home/model imports only itself and libraries: it is what everything else builds on",
  },
  {
    // The wire schemas and the client: the model and a schema library, no server code.
    files: ["home/api/**/*.ts"],
    forbid: [...folders("home/devnet", "home/risk", "relayer", "prover", "cli", "verifier-ts", "scripts", "contracts/deploy"), "node:http", "node:net", "node:fs"],
    message: "home/api imports only home/model and its libraries (zod, viem, @chainsafe/ssz): no server code",
  },
  {
    // The integrator's verifier: the model only (its CLIs also use the CLI's argument parser).
    files: ["verifier-ts/**/*.ts"],
    ignores: ["verifier-ts/cli.ts", "verifier-ts/openlibra/cli.ts"],
    forbid: folders("home/devnet", "home/api", "home/risk", "home/attestation", "relayer", "prover", "cli", "scripts", "contracts/deploy"),
    message: "verifier-ts imports only home/model",
  },
  {
    // The deploy library: the compiled contracts, the model's field, verifier-ts's Open Libra encoding
    // and the CLI's argument parser (and, lazily, the prover's setup paths); no service, no entry point.
    files: ["contracts/deploy/**/*.ts"],
    forbid: [...folders("home/devnet", "home/api", "home/risk", "home/attestation", "relayer", "bundle", "scripts", "test", "bench"), "**/cli/*", "!**/cli/args.ts"],
    message: "contracts/deploy imports only home/model, verifier-ts, the prover's setup paths and cli/args.ts: entry points import it, not the reverse",
  },
  {
    // The relayer reaches Home through the typed client only.
    files: ["relayer/**/*.ts"],
    forbid: folders("home/devnet"),
    message: "the relayer reaches Home through the typed client (home/api HomeClient) only",
  },
  {
    // olzk bundle reads a running Home through the same typed client.
    files: ["bundle/**/*.ts"],
    forbid: folders("home/devnet", "relayer"),
    message: "bundle reaches Home through the typed client (home/api HomeClient) only",
  },
];

export default tseslint.config(
  { ignores: ["node_modules/", "build/", "artifacts/", "cache/", "coverage/", ".cache/", "contracts/generated/", "verifier-ts/dist/", "**/*.d.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  ...importRules.map((r) => ({
    files: r.files,
    ...(r.ignores ? { ignores: r.ignores } : {}),
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: r.forbid, message: r.message }] }] },
  })),
);
