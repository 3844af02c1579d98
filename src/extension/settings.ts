/**
 * Names and cheap readers for the contributed settings. Kept free of zod so activation stays
 * cheap; the full validation of `anymodel.models` is in modelSettings.ts, loaded on demand.
 * The schemas users see are in package.json (contributes.configuration).
 */
import * as vscode from 'vscode';

export const SECTION = 'anymodel';
export const DEFAULT_MODEL_KEY = 'defaultModel';
export const MODELS_KEY = 'models';
/** Must match the `default` of anymodel.defaultModel in package.json. */
export const DEFAULT_MODEL = 'ollama_chat/llama3.2';

/** The model used for new chats; falls back to the built-in default if the setting is unusable. */
export function readDefaultModel(): string {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(DEFAULT_MODEL_KEY);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_MODEL;
}

/** True when a workspace or folder value shadows the user (global) value of anymodel.defaultModel. */
export function defaultModelIsOverridden(): boolean {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect(DEFAULT_MODEL_KEY);
  return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
}
