// All shared Groth16 vectors in one call, for the three-way agreement test (snarkjs,
// verifier-ts, generated Solidity verifiers): the fixture circuit, real HeaderQuorum and real
// Settlement proofs, each valid plus tampered variants with the verdict every verifier must
// give. A Solidity test passes `toSolidityCalldata(v)` for vectors with `solidityEncodable`
// to the verifier of `v.circuit` (HeaderQuorum*, Settlement) and expects `v.expected`.
import { groth16Vectors, toSolidityCalldata, type Groth16Vector } from "./groth16-vectors.ts";
import { headerQuorumVectors } from "./headerQuorum-vectors.ts";
import { settlementVectors } from "./settlement-vectors.ts";

export { toSolidityCalldata, type Groth16Vector };

export async function allGroth16Vectors(): Promise<Groth16Vector[]> {
  return [...(await groth16Vectors()), ...(await headerQuorumVectors()), ...(await settlementVectors())];
}
