/**
 * The models the editor offers and the core client that serves them. Sources, merged in this order:
 * the LiteLLM config file (`anymodel.configFile`), `anymodel.models`, the models a local Ollama has
 * pulled (`GET /api/tags`), and the models a LiteLLM proxy or other OpenAI-compatible gateway lists
 * (`GET /v1/models`). Each invalid entry is reported with its path and skipped; the rest keeps
 * working (docs/architecture.md#validation-at-every-boundary). Keys come from SecretStorage (as
 * environment variables, see keys.ts), then from the environment.
 */
import { z } from 'zod';
import { AnyModelClient, type ClientOptions } from '../core';
import { buildConfig, ConfigError, formatZodError, type CoreConfig } from '../core';
import { parse as parseYaml } from 'yaml';
import { readFile } from 'node:fs/promises';
import { modelEntrySchema } from '../core';
import { resolveDeployment } from '../core';
import { discoverOllamaModels } from '../core';
import { getPreset, parseModelId } from '../core';
import { requestJson } from '../core';
import { upstreamError } from '../core';
import { contextWindowOf, unitPrices } from '../core';
import type { Deployment } from '../core';
import type { Settings } from './settings';
import { supportsReasoning } from './chat/reasoning';

export interface CatalogModel {
  /** What the user picks: a model_name, or a provider/model id. */
  id: string;
  /** Provider of the first deployment, for grouping. */
  provider: string;
  /** Every deployment runs locally (Ollama, vLLM, LM Studio): free and available offline. */
  local: boolean;
  /** A deployment needs a key that is neither stored nor in the environment. */
  missingKey: boolean;
  contextWindow?: number;
  /** Reasons before answering (model_info.supports_reasoning, else chat/reasoning.ts's table). */
  reasoning?: boolean;
  /** USD per million tokens. */
  price?: { input: number; output: number };
  source: 'config file' | 'settings' | 'ollama' | 'gateway' | 'default';
  deployments: Deployment[];
}

export interface Catalog {
  config: CoreConfig;
  /** The one client of the window: reconfigured on each rebuild, never replaced (docs/architecture.md). */
  client: AnyModelClient;
  models: CatalogModel[];
  /** One line per skipped entry or unreachable source, naming where the problem is. */
  problems: string[];
  /** Worth a log line, not a warning (no local Ollama running is normal). */
  notes: string[];
  env: Record<string, string | undefined>;
  /** What the last discovery found; a rebuild for an unrelated setting reuses it. */
  discovery: Discovery;
  /** Default keys not sent to a deployment's custom api_base, because the user has not allowed that origin. */
  withheldKeys: WithheldKey[];
}

/** A provider's default key kept back from an api_base that is not the provider's own origin. */
export interface WithheldKey {
  modelName: string;
  deploymentId: string;
  provider: string;
  /** The variable the key is stored under (`OPENAI_API_KEY`); never the key. */
  envName: string;
  /** `https://host:port` the deployment would have sent it to. */
  origin: string;
}

/** What the local Ollama and the gateway listed. */
export interface Discovery {
  ollama: RawEntry[];
  gateway: RawEntry[];
  notes: string[];
  problems: string[];
  /** The Ollama origin asked, and whether it answered. */
  ollamaBase: string;
  ollamaReachable: boolean;
}

export interface CatalogInputs {
  settings: Settings;
  /** `anymodel.models` as read from the configuration. */
  modelsSetting: unknown;
  defaultModel: string;
  /** Stored keys as environment variables. */
  keyEnv: Record<string, string>;
  processEnv: Record<string, string | undefined>;
  clientOptions: ClientOptions;
  /** Discovery timeout: Ollama or a gateway that does not answer must not hold up the picker. */
  discoveryTimeoutMs?: number;
  /** The window's client: reconfigured with the new config instead of building another. */
  client?: AnyModelClient;
  /** Reuse this discovery instead of asking Ollama and the gateway again. */
  discovery?: Discovery;
  /** `ENV_NAME@origin` pairs the user allowed: that default key may go to that custom api_base. */
  allowedKeyOrigins?: ReadonlySet<string>;
}

export type RawEntry = { model_name: string; litellm_params: Record<string, unknown>; model_info?: Record<string, unknown> };

/** Asks the local Ollama and the gateway (if set) which models they serve. */
export async function discover(settings: Settings, env: Record<string, string | undefined>, timeoutMs?: number): Promise<Discovery> {
  const notes: string[] = [];
  const problems: string[] = [];
  const [ollama, gateway] = await Promise.all([
    discoverOllama(settings.ollamaBaseUrl, timeoutMs, notes),
    settings.gatewayUrl ? discoverGateway(settings.gatewayUrl, env, timeoutMs, problems) : [],
  ]);
  return { ollama: ollama ?? [], gateway, notes, problems, ollamaBase: settings.ollamaBaseUrl, ollamaReachable: ollama !== undefined };
}

export async function buildCatalog(inputs: CatalogInputs): Promise<Catalog> {
  const problems: string[] = [];
  const env: Record<string, string | undefined> = { ...inputs.processEnv, ...inputs.keyEnv };
  // A bare ollama_chat/… id (the default model) goes to the Ollama the settings name, the one asked for its tags.
  env.OLLAMA_API_BASE ||= inputs.settings.ollamaBaseUrl;
  const sources: { entry: RawEntry; source: CatalogModel['source'] }[] = [];
  let fileRaw: Record<string, unknown> = {};

  if (inputs.settings.configFile) {
    try {
      const parsed = parseYaml(await readFile(inputs.settings.configFile, 'utf8')) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('the config must be a mapping with a model_list');
      fileRaw = parsed as Record<string, unknown>;
      // Validated as a whole so its fallbacks and router settings are checked against its own model_list.
      buildConfig(fileRaw, env, inputs.settings.configFile);
      for (const entry of (fileRaw.model_list as RawEntry[] | undefined) ?? []) sources.push({ entry, source: 'config file' });
    } catch (err) {
      problems.push(`anymodel.configFile (${inputs.settings.configFile}): ${(err as Error).message.replace(`${inputs.settings.configFile}: `, '')}`);
      fileRaw = {};
    }
  }

  for (const entry of settingsEntries(inputs.modelsSetting, env, problems)) sources.push({ entry, source: 'settings' });
  const discovery = inputs.discovery ?? await discover(inputs.settings, env, inputs.discoveryTimeoutMs);
  const notes = [...discovery.notes];
  problems.push(...discovery.problems);
  const named = new Set(sources.map((s) => s.entry.model_name));
  for (const entry of discovery.ollama) if (!named.has(entry.model_name)) sources.push({ entry, source: 'ollama' });
  for (const entry of discovery.gateway) if (!named.has(entry.model_name)) sources.push({ entry, source: 'gateway' });

  const raw = { ...fileRaw, model_list: sources.map((s) => s.entry) };
  let config: CoreConfig;
  try {
    config = buildConfig(raw, env);
  } catch (err) {
    // Only the config file's fallbacks can fail here (entries were checked one by one): drop them.
    problems.push(`anymodel.configFile: ${(err as Error).message}`);
    config = buildConfig({ model_list: raw.model_list }, env);
  }
  for (const warning of config.warnings) if (!/environment variable/.test(warning)) problems.push(`config: ${warning}`);
  const withheldKeys = withholdDefaultKeys(config, raw.model_list, env, inputs.allowedKeyOrigins ?? new Set());

  const options: ClientOptions = { ...inputs.clientOptions, env, allowUnconfiguredModels: true };
  const client = inputs.client ?? new AnyModelClient(config, options);
  if (inputs.client) client.reconfigure(config, options);
  const models = describeModels(config, sources, inputs.defaultModel, env);
  return { config, client, models, problems, notes, env, discovery, withheldKeys };
}

/**
 * A provider's default key (stored or from the environment) goes to the provider's own origin.
 * An entry that points the provider at another `api_base` without naming its key gets the default
 * key only once the user allowed that origin (`ENV_NAME@origin` in `allowed`); otherwise the key
 * is taken off the deployment here, before any client sees it, and the deployment is listed.
 * Providers without an origin of their own (Azure, vLLM, a LiteLLM proxy) read a variable meant
 * for whatever server the user points them at, so nothing is withheld there.
 */
function withholdDefaultKeys(config: CoreConfig, entries: RawEntry[], env: Record<string, string | undefined>, allowed: ReadonlySet<string>): WithheldKey[] {
  const withheld: WithheldKey[] = [];
  config.deployments.forEach((dep, i) => {
    const params = entries[i]?.litellm_params;
    if (!dep.apiKey || !params || namesItsKey(params.api_key, env)) return;
    const base = params.api_base ?? params.base_url;
    const own = getPreset(dep.provider).defaultApiBase;
    if (typeof base !== 'string' || !own) return;
    const origin = originOf(base);
    if (!origin || origin === originOf(own)) return;
    const envName = getPreset(dep.provider).apiKeyEnv.find((n) => env[n]) ?? getPreset(dep.provider).apiKeyEnv[0]!;
    if (allowed.has(`${envName}@${origin}`)) return;
    delete dep.apiKey;
    withheld.push({ modelName: dep.modelName, deploymentId: dep.id, provider: dep.provider, envName, origin });
  });
  return withheld;
}

/** An entry names its key: a literal key (config file), or an `os.environ/NAME` reference that is set. */
function namesItsKey(apiKey: unknown, env: Record<string, string | undefined>): boolean {
  if (typeof apiKey !== 'string' || apiKey === '') return false;
  if (!apiKey.startsWith('os.environ/')) return true;
  return !!env[apiKey.slice('os.environ/'.length)];
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The withheld key that made `model` fail, if any (for the error's "allow" action). */
export function withheldKeyFor(catalog: Pick<Catalog, 'withheldKeys'>, model: string): WithheldKey | undefined {
  return catalog.withheldKeys.find((w) => w.modelName === model);
}

/**
 * Validates `anymodel.models` entry by entry. A plain `api_key` is dropped (keys are never read
 * from settings); an `os.environ/NAME` reference is kept: it names which stored or environment key
 * the entry uses.
 */
function settingsEntries(value: unknown, env: Record<string, string | undefined>, problems: string[]): RawEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push('anymodel.models: must be an array of { model_name, litellm_params } entries');
    return [];
  }
  const out: RawEntry[] = [];
  value.forEach((item: unknown, i) => {
    const where = `anymodel.models[${i}]`;
    const parsed = modelEntrySchema.safeParse(item);
    if (!parsed.success) {
      problems.push(formatZodError(parsed.error).split('\n').map((line) => `${where}.${line}`).join('; '));
      return;
    }
    const entry = structuredClone(item) as RawEntry;
    const key = entry.litellm_params.api_key;
    if (!(typeof key === 'string' && key.startsWith('os.environ/'))) delete entry.litellm_params.api_key;
    try {
      resolveDeployment({ ...parsed.data, litellm_params: { ...parsed.data.litellm_params, api_key: undefined } }, { env });
    } catch (err) {
      problems.push(`${where}.litellm_params.model: ${(err as Error).message}`);
      return;
    }
    out.push(entry);
  });
  return out;
}

/** The models Ollama has pulled; undefined when it did not answer. */
async function discoverOllama(apiBase: string, timeoutMs = 1500, notes: string[]): Promise<RawEntry[] | undefined> {
  try {
    const models = await discoverOllamaModels(apiBase, { timeoutMs });
    return models.map((m) => ({ model_name: `ollama_chat/${m.name}`, litellm_params: { model: `ollama_chat/${m.name}`, api_base: apiBase } }));
  } catch (err) {
    // Ollama not running is the normal case on many machines: a note, not a warning.
    notes.push(`No local models listed: Ollama at ${apiBase} did not answer (${(err as Error).message}).`);
    return undefined;
  }
}

const modelsListSchema = z.object({ data: z.array(z.object({ id: z.string().min(1) }).loose()) });

/** A LiteLLM proxy or OpenAI-compatible gateway: `GET {base}/models`, served through `litellm_proxy/`. */
async function discoverGateway(baseUrl: string, env: Record<string, string | undefined>, timeoutMs = 3000, problems: string[]): Promise<RawEntry[]> {
  const base = baseUrl.replace(/\/+$/, '');
  const key = env.LITELLM_PROXY_API_KEY ?? env.LITELLM_API_KEY;
  const dep: Deployment = { id: 'gateway', modelName: 'gateway', provider: 'litellm_proxy', model: '' };
  try {
    const body = await requestJson({ url: `${base}/models`, method: 'GET', headers: key ? { authorization: `Bearer ${key}` } : {} }, {
      provider: 'litellm_proxy', secrets: [key], headersTimeoutMs: timeoutMs, totalTimeoutMs: timeoutMs,
      parseError: (input) => upstreamError(input, dep),
    });
    const parsed = modelsListSchema.safeParse(body);
    if (!parsed.success) throw new Error(`unexpected model list: ${formatZodError(parsed.error)}`);
    return parsed.data.data.map((m) => ({ model_name: m.id, litellm_params: { model: `litellm_proxy/${m.id}`, api_base: base } }));
  } catch (err) {
    problems.push(`anymodel.gatewayUrl (${base}): could not list models: ${(err as Error).message}`);
    return [];
  }
}

function describeModels(config: CoreConfig, sources: { entry: RawEntry; source: CatalogModel['source'] }[], defaultModel: string, env: Record<string, string | undefined>): CatalogModel[] {
  const byName = new Map<string, CatalogModel>();
  for (const dep of config.deployments) {
    const source = sources.find((s) => s.entry.model_name === dep.modelName)?.source ?? 'settings';
    const model = byName.get(dep.modelName) ?? { id: dep.modelName, provider: dep.provider, local: true, missingKey: false, source, deployments: [] };
    model.deployments.push(dep);
    byName.set(dep.modelName, model);
  }
  if (!byName.has(defaultModel)) {
    try {
      const dep = resolveDeployment({ model_name: defaultModel, litellm_params: { model: defaultModel } }, { env });
      byName.set(defaultModel, { id: defaultModel, provider: dep.provider, local: true, missingKey: false, source: 'default', deployments: [dep] });
    } catch {
      // An unusable default model is reported when it is used; the list stays as it is.
    }
  }
  for (const model of byName.values()) {
    model.local = model.deployments.every((d) => getPreset(d.provider).local);
    model.missingKey = model.deployments.every((d) => getPreset(d.provider).keyRequired && !d.apiKey && !d.azureAdToken);
    const first = model.deployments[0];
    if (!first) continue;
    const window = contextWindowOf(first);
    if (window) model.contextWindow = window;
    if (supportsReasoning(first)) model.reasoning = true;
    const price = unitPrices(first, model.local);
    if (price) model.price = { input: price.inputPerMTok, output: price.outputPerMTok };
  }
  return [...byName.values()];
}

/** The provider of a model id or a catalog entry, for the set-key action. */
export function providerOf(models: CatalogModel[], id: string): string | undefined {
  const known = models.find((m) => m.id === id);
  if (known) return known.provider;
  try {
    return parseModelId(id).provider;
  } catch {
    return undefined;
  }
}
