import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { manifest, type JsonSchema } from './helpers';

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** Problems in one property schema and everything nested in it (items, properties). */
function schemaProblems(where: string, schema: JsonSchema): string[] {
  const problems: string[] = [];
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.length === 0) problems.push(`${where}: no type`);
  for (const t of types) if (!TYPES.has(t)) problems.push(`${where}: unknown type ${t}`);
  if (!schema.description?.trim()) problems.push(`${where}: no description`);
  if (types.includes('array') && !schema.items) problems.push(`${where}: array without items schema`);
  for (const name of schema.required ?? []) {
    if (!schema.properties?.[name]) problems.push(`${where}: required ${name} is not in properties`);
  }
  if (schema.items) problems.push(...schemaProblems(`${where}[]`, schema.items));
  for (const [name, sub] of Object.entries(schema.properties ?? {})) problems.push(...schemaProblems(`${where}.${name}`, sub));
  return problems;
}

/** Just enough JSON-schema checking to prove each default and the fixture satisfy their own schema. */
function valueProblems(where: string, schema: JsonSchema, value: unknown): string[] {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (!types.includes(actual) && !(actual === 'number' && types.includes('integer'))) return [`${where}: ${actual}, expected ${types.join('|')}`];
  const problems: string[] = [];
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${where}: shorter than ${schema.minLength}`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...valueProblems(`${where}[${i}]`, schema.items as JsonSchema, v)));
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in obj)) problems.push(`${where}: missing ${name}`);
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      if (obj[name] !== undefined) problems.push(...valueProblems(`${where}.${name}`, sub, obj[name]));
    }
  }
  return problems;
}

describe('configuration schema', () => {
  const properties = () => manifest().contributes?.configuration?.properties ?? {};

  it('has anymodel.defaultModel and anymodel.models', () => {
    assert.ok(properties()['anymodel.defaultModel']);
    assert.ok(properties()['anymodel.models']);
  });

  it('gives every property (and nested schema) a type and a description', () => {
    const problems = Object.entries(properties()).flatMap(([key, schema]) => [
      ...(key.startsWith('anymodel.') ? [] : [`${key}: not under anymodel.`]),
      ...schemaProblems(key, schema),
    ]);
    assert.deepEqual(problems, []);
  });

  it('has defaults that satisfy their own schema', () => {
    const problems = Object.entries(properties()).flatMap(([key, schema]) =>
      schema.default === undefined ? [`${key}: no default`] : valueProblems(key, schema, schema.default));
    assert.deepEqual(problems, []);
  });

  it('is registered with VS Code with the same defaults', () => {
    const config = vscode.workspace.getConfiguration('anymodel');
    for (const [key, schema] of Object.entries(properties())) {
      const inspected = config.inspect(key.slice('anymodel.'.length));
      assert.deepEqual(inspected?.defaultValue, schema.default, `${key} default as VS Code sees it`);
    }
    assert.equal(config.inspect('defaultModel')?.defaultValue, 'ollama_chat/llama3.2');
  });

  it('accepts the fixture workspace models (LiteLLM model_list shape)', () => {
    const models = vscode.workspace.getConfiguration('anymodel').inspect('models')?.workspaceValue;
    assert.ok(Array.isArray(models) && models.length > 0, 'fixture .vscode/settings.json has anymodel.models');
    assert.deepEqual(valueProblems('anymodel.models', properties()['anymodel.models'] as JsonSchema, models), []);
  });
});
