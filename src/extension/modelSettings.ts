/**
 * Reading the model settings. `anymodel.models` entries are shaped like LiteLLM `model_list`
 * entries (https://docs.litellm.ai/docs/proxy/configs), so a team can paste what it already has.
 *
 * This module is loaded lazily (only when a picker opens) so zod does not cost anything at
 * activation. It is deliberately small: the full config schema lives in src/core/config and takes
 * over when the extension starts using the core.
 */
import { z } from 'zod';

/** Only what the picker needs; other LiteLLM keys pass through untouched for later use. */
const modelEntrySchema = z.looseObject({
  model_name: z.string().min(1, 'is required (the name you pick the model by)'),
  litellm_params: z.looseObject({
    model: z.string().min(1, 'is required (a provider/model id such as openai/gpt-4o)'),
    api_base: z.url({ message: 'must be a URL such as http://127.0.0.1:11434' }).optional(),
  }),
});

export type ModelEntry = z.infer<typeof modelEntrySchema>;

export interface ParsedModels {
  entries: ModelEntry[];
  /** One message per invalid entry, naming its index and field; those entries are skipped. */
  problems: string[];
}

/**
 * Validates each entry on its own, so one bad entry does not hide the good ones (bad input loses
 * nothing, DESIGN §3).
 */
export function parseModels(raw: unknown): ParsedModels {
  if (raw === undefined || raw === null) return { entries: [], problems: [] };
  if (!Array.isArray(raw)) return { entries: [], problems: ['anymodel.models must be an array of { model_name, litellm_params } objects'] };
  const entries: ModelEntry[] = [];
  const problems: string[] = [];
  raw.forEach((item, index) => {
    const parsed = modelEntrySchema.safeParse(item);
    if (parsed.success) {
      entries.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      const field = ['anymodel.models', String(index), ...issue.path.map(String)].join('.');
      problems.push(`${field} ${issue.message}`);
    }
  });
  return { entries, problems };
}

export interface ModelChoice {
  /** What gets written to anymodel.defaultModel: the model_name (a router group), or a model id. */
  id: string;
  /** The provider/model ids behind the name, in settings order, without duplicates. */
  targets: string[];
  apiBases: string[];
}

/**
 * One choice per model_name (LiteLLM allows several deployments under one name for load
 * balancing), in settings order, plus the default model when no entry has that name.
 */
export function modelChoices(entries: ModelEntry[], defaultModel: string): ModelChoice[] {
  const byName = new Map<string, ModelChoice>();
  for (const entry of entries) {
    const choice = byName.get(entry.model_name) ?? { id: entry.model_name, targets: [], apiBases: [] };
    if (!choice.targets.includes(entry.litellm_params.model)) choice.targets.push(entry.litellm_params.model);
    const base = entry.litellm_params.api_base;
    if (base && !choice.apiBases.includes(base)) choice.apiBases.push(base);
    byName.set(entry.model_name, choice);
  }
  if (!byName.has(defaultModel)) byName.set(defaultModel, { id: defaultModel, targets: [], apiBases: [] });
  return [...byName.values()];
}
