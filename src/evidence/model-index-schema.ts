/**
 * The rules the Hugging Face Hub applies to a model card's `model-index` metadata, written
 * as a zod schema so that what `evidence` writes is checked before anyone pushes it.
 *
 * Source of the rules: the Hub's model card metadata spec, huggingface/hub-docs
 * `modelcard.md` (https://github.com/huggingface/hub-docs/blob/main/modelcard.md, the
 * annotated template the Hub links from https://huggingface.co/docs/hub/model-cards), and
 * huggingface_hub's `EvalResult` (src/huggingface_hub/repocard_data.py), which parses it:
 * `model-index` is a list of `{ name, results }`; each result has `task` (`type` required,
 * `name` optional), `dataset` (`type` and `name` required; `config`, `split`, `revision`,
 * `args` optional) and `metrics`, a list of `{ type, value }` (required) with optional
 * `name`, `config`, `args` and `verified`; an optional `source: { name?, url }` says where
 * the numbers come from. The Hub refuses a push whose model-index breaks these rules.
 */
import { z } from "zod";

const nonEmpty = z.string().min(1);

export const ModelIndexSchema = z.strictObject({
  "model-index": z
    .array(
      z.strictObject({
        name: nonEmpty,
        results: z
          .array(
            z.strictObject({
              task: z.strictObject({ type: nonEmpty, name: nonEmpty.optional() }),
              dataset: z.strictObject({
                type: nonEmpty,
                name: nonEmpty,
                config: nonEmpty.optional(),
                split: nonEmpty.optional(),
                revision: nonEmpty.optional(),
                args: z.unknown().optional(),
              }),
              metrics: z
                .array(
                  z.strictObject({
                    type: nonEmpty,
                    // "The metric value. Example: 0.9 or "20.0 ± 1.2"" (EvalResult.metric_value: Any).
                    value: z.union([z.number(), nonEmpty]),
                    name: nonEmpty.optional(),
                    config: nonEmpty.optional(),
                    args: z.unknown().optional(),
                    verified: z.boolean().optional(),
                  }),
                )
                .min(1),
              source: z.strictObject({ name: nonEmpty.optional(), url: z.url() }).optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});
export type ModelIndex = z.output<typeof ModelIndexSchema>;
