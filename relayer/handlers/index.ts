// One handler per job kind.
import type { JobKind } from "../jobs.ts";
import { defaultHandler } from "./default.ts";
import { headerHandler } from "./header.ts";
import { openLibraEpochHandler, voucherHandler } from "./openlibra.ts";
import { receiptHandler } from "./receipt.ts";
import { settleHandler } from "./settle.ts";
import type { JobHandler } from "./types.ts";

export const HANDLERS: { [K in JobKind]: JobHandler<K> } = {
  header: headerHandler,
  rotation: headerHandler,
  settle: settleHandler,
  default: defaultHandler,
  receipt: receiptHandler,
  "ol-epoch": openLibraEpochHandler,
  voucher: voucherHandler,
};
