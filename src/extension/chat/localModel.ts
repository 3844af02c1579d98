/**
 * What to tell someone whose model runs on a local Ollama that cannot answer: on a fresh machine
 * the default model is `ollama_chat/llama3.2`, and "ECONNREFUSED" says nothing about what to do.
 * The message says how to start Ollama and pull the model, or to pick a cloud model; the actions
 * become buttons. Used for the thread's error and, before the first question, the empty state.
 * Also the error of a request whose default key was withheld from a custom endpoint. Imports no
 * `vscode`, so it is tested on plain Node.
 */
import { isAnyModelError, type Deployment } from '../../core';
import type { ChatError } from '../../shared/protocol';
import { withheldKeyFor, type Catalog } from '../catalog';

const OLLAMA_PROVIDERS = new Set(['ollama', 'ollama_chat']);

/** A tag as a shell may receive it: `ollama pull` is typed into a terminal, so nothing else passes. */
const SAFE_TAG = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

type CatalogView = Pick<Catalog, 'models' | 'discovery' | 'withheldKeys'>;

/** The Ollama deployment behind `model`, when every deployment of it is Ollama. */
export function ollamaDeployment(catalog: Pick<Catalog, 'models'>, model: string): Deployment | undefined {
  const deployments = catalog.models.find((m) => m.id === model)?.deployments ?? [];
  return deployments.length > 0 && deployments.every((d) => OLLAMA_PROVIDERS.has(d.provider)) ? deployments[0] : undefined;
}

/** The Ollama tag of `model` (`llama3.2`), when it is an Ollama model with a tag safe to type into a shell. */
export function ollamaTag(catalog: Pick<Catalog, 'models'>, model: string): string | undefined {
  const tag = ollamaDeployment(catalog, model)?.model;
  return tag && SAFE_TAG.test(tag) ? tag : undefined;
}

function withLatest(tag: string): string {
  return tag.includes(':') ? tag : `${tag}:latest`;
}

function notRunning(base: string, model: string, tag: string | undefined): ChatError {
  const pull = tag ? `, then pull the model: ollama pull ${tag}` : '';
  return {
    kind: 'OllamaNotRunning',
    message: `Ollama is not running at ${base}, so ${model} cannot answer. Start Ollama (open the Ollama app, or run "ollama serve"; install it from https://ollama.com/download)${pull}. Or pick a cloud model and set its API key.`,
    actions: tag ? ['startOllama', 'pullModel', 'pickModel'] : ['startOllama', 'pickModel'],
  };
}

function notPulled(base: string, model: string, tag: string): ChatError {
  return {
    kind: 'OllamaModelMissing',
    message: `Ollama at ${base} has not pulled ${tag} yet. Pull it (ollama pull ${tag}), or pick another model.`,
    actions: ['pullModel', 'pickModel'],
  };
}

/** What keeps `model` from answering before anything is sent: Ollama not answering, or the model not pulled. */
export function modelProblem(catalog: CatalogView, model: string): ChatError | null {
  const dep = ollamaDeployment(catalog, model);
  const d = catalog.discovery;
  if (!dep || !dep.apiBase || originOf(dep.apiBase) !== originOf(d.ollamaBase)) return null;
  const tag = ollamaTag(catalog, model);
  if (!d.ollamaReachable) return notRunning(d.ollamaBase, model, tag);
  const pulled = new Set(d.ollama.map((e) => withLatest(String(e.litellm_params.model).replace(/^ollama(_chat)?\//, ''))));
  if (tag && !pulled.has(withLatest(tag))) return notPulled(d.ollamaBase, model, tag);
  return null;
}

/**
 * The thread's error for a failed request, when the editor can say more than the core: Ollama
 * not reachable or missing the model, or a default key withheld from a custom endpoint.
 * Undefined leaves the error to the general table.
 */
export function explainFailure(err: unknown, catalog: CatalogView | undefined, model: string): ChatError | undefined {
  if (!catalog || !isAnyModelError(err)) return undefined;
  if (err.kind === 'Authentication') {
    const w = withheldKeyFor(catalog, model);
    if (!w) return undefined;
    return {
      kind: 'KeyNotAllowed',
      message: `${model} is served at ${w.origin}, not by ${w.provider}'s own endpoint, so AnyModel did not send your ${w.envName} there. Allow it once for that address, or pick another model.`,
      actions: ['allowKey', 'pickModel'],
    };
  }
  const dep = ollamaDeployment(catalog, model);
  if (!dep) return undefined;
  const base = dep.apiBase ?? catalog.discovery.ollamaBase;
  const tag = ollamaTag(catalog, model);
  if (err.kind === 'APIConnection' || err.kind === 'Timeout') return { ...notRunning(base, model, tag), actions: [...notRunning(base, model, tag).actions, 'retry'] };
  if (err.kind === 'NotFound' && tag) return notPulled(base, model, tag);
  return undefined;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
