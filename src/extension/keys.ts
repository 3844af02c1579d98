/**
 * API keys in VS Code's SecretStorage (docs/architecture.md#keys): never in settings, logs,
 * messages or the webview. A key is stored under the name of the environment variable the provider
 * reads (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, ...), so the core resolves it exactly as the proxy
 * resolves a key from the environment, and one slot serves every provider sharing that variable.
 */
import * as vscode from 'vscode';
import { PROVIDERS } from '../core';

const SECRET_PREFIX = 'anymodel.apiKey.';

export interface KeySlot {
  /** The environment variable name the key stands for, e.g. `OPENAI_API_KEY`. */
  envName: string;
  /** Provider prefixes that read it, e.g. `['ollama', 'ollama_chat']`. */
  providers: string[];
  /** Whether requests are refused without it. */
  required: boolean;
}

/** One slot per distinct first key variable, in registry order. */
export const KEY_SLOTS: readonly KeySlot[] = (() => {
  const slots = new Map<string, KeySlot>();
  for (const [provider, preset] of Object.entries(PROVIDERS)) {
    const envName = preset.apiKeyEnv[0];
    if (!envName) continue;
    const slot = slots.get(envName) ?? { envName, providers: [], required: preset.keyRequired };
    slot.providers.push(provider);
    slots.set(envName, slot);
  }
  return [...slots.values()];
})();

export function slotForProvider(provider: string): KeySlot | undefined {
  return KEY_SLOTS.find((slot) => slot.providers.includes(provider));
}

export class KeyStore implements vscode.Disposable {
  private cache: Promise<Record<string, string>> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after a key was stored or removed (also from another window). */
  readonly onDidChange = this.changed.event;
  private readonly listener: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.listener = secrets.onDidChange((e) => {
      if (!e.key.startsWith(SECRET_PREFIX)) return;
      this.cache = undefined;
      this.changed.fire();
    });
  }

  /** Every stored key as environment variables, for the core's resolver. */
  env(): Promise<Record<string, string>> {
    this.cache ??= (async () => {
      const out: Record<string, string> = {};
      for (const slot of KEY_SLOTS) {
        const value = await this.secrets.get(SECRET_PREFIX + slot.envName);
        if (value) out[slot.envName] = value;
      }
      return out;
    })();
    return this.cache;
  }

  async has(envName: string): Promise<boolean> {
    return (await this.env())[envName] !== undefined;
  }

  async store(envName: string, key: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + envName, key);
    this.cache = undefined;
  }

  async delete(envName: string): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + envName);
    this.cache = undefined;
  }

  /** A secret that is not an API key (the editor proxy's master key). */
  getOther(name: string): Thenable<string | undefined> {
    return this.secrets.get(`anymodel.${name}`);
  }

  storeOther(name: string, value: string): Thenable<void> {
    return this.secrets.store(`anymodel.${name}`, value);
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}

const ALLOWED_ORIGINS_KEY = 'anymodel.keyOrigins.allowed';

/**
 * The custom origins the user allowed a provider's default key to go to, as `ENV_NAME@origin`
 * (e.g. `OPENAI_API_KEY@https://llm.example.com`), kept in globalState: names and origins only,
 * never a key.
 */
export class KeyOrigins {
  constructor(private readonly memento: { get<T>(key: string): T | undefined; update(key: string, value: unknown): Thenable<void> }) {}

  allowed(): ReadonlySet<string> {
    const list = this.memento.get<unknown>(ALLOWED_ORIGINS_KEY);
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  }

  async allow(envName: string, origin: string): Promise<void> {
    const next = new Set(this.allowed()).add(`${envName}@${origin}`);
    await this.memento.update(ALLOWED_ORIGINS_KEY, [...next]);
  }
}

/** What a key may look like: one token of printable characters (catches a pasted sentence or a newline). */
export function validateKey(value: string): string | undefined {
  const v = value.trim();
  if (v === '') return 'Paste the key; it is stored in VS Code\'s secret storage, never in settings.';
  if (/\s/.test(v)) return 'A key is one word without spaces or line breaks.';
  if (v.length > 4096) return 'That is longer than any API key (4,096 characters at most).';
  if (!/^[\x21-\x7e]+$/.test(v)) return 'A key contains only printable ASCII characters.';
  return undefined;
}
