// The SSZ replies of the Home API: each SSZ kind of the route table with the model's codec of it.
// A route marked `ssz` answers these bytes to `Accept: application/octet-stream`.
import { ListCompositeType } from "@chainsafe/ssz";
import {
  SignedHeaderSSZ,
  decodeHeader,
  decodeSignedHeader,
  decodeValidatorSet,
  encodeHeader,
  encodeSignedHeader,
  encodeValidatorSet,
  type Header,
  type SignedHeader,
  type ValidatorSet,
} from "../model/index.ts";
import type { SszKind } from "./routes.ts";

/** Most headers one range request returns. */
export const MAX_RANGE = 256;
/** GET /headers?from&to as SSZ: `List[SignedHeaderSSZ, 256]`. */
export const SignedHeaderListSSZ = new ListCompositeType(SignedHeaderSSZ, MAX_RANGE);

export interface SszValues {
  signedHeader: SignedHeader;
  signedHeaderList: SignedHeader[];
  header: Header;
  validatorSet: ValidatorSet;
}

export const SSZ_CODECS: { [K in SszKind]: { encode(v: SszValues[K]): Uint8Array; decode(b: Uint8Array): SszValues[K] } } = {
  signedHeader: { encode: encodeSignedHeader, decode: decodeSignedHeader },
  signedHeaderList: {
    encode: (list) => SignedHeaderListSSZ.serialize(list.map((sh) => SignedHeaderSSZ.deserialize(encodeSignedHeader(sh)))),
    decode: (bytes) => SignedHeaderListSSZ.deserialize(bytes).map((v) => decodeSignedHeader(SignedHeaderSSZ.serialize(v))),
  },
  header: { encode: encodeHeader, decode: decodeHeader },
  validatorSet: { encode: encodeValidatorSet, decode: decodeValidatorSet },
};
