/**
 * What differs between Claude models for the request we build. Structured outputs
 * (`output_config.format`) and strict tool use exist from Claude Sonnet 4.5, Opus 4.5 and Haiku
 * 4.5 on (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs, "supported
 * models"); Claude 3.x, Sonnet 4, Opus 4 and Opus 4.1 reject them.
 */

// claude-sonnet-4-5-20250929, claude-opus-4-1, claude-sonnet-4-20250514 (a date is not a minor version)
const CURRENT_NAMING = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?=$|[-@:.])/;
// claude-3-5-sonnet-20241022, claude-3-opus-20240229, claude-3-7-sonnet-latest
const CLAUDE_3_NAMING = /claude-\d(?:-\d)?-(?:opus|sonnet|haiku)/;

/**
 * Whether the model takes `output_config.format` and `strict` tools. A name we cannot read (an
 * alias at a gateway, a model newer than this list) is assumed current: if it is not, Anthropic
 * answers with a readable 400 rather than us refusing a model that could do it.
 */
export function supportsStructuredOutputs(model: string): boolean {
  if (CLAUDE_3_NAMING.test(model)) return false;
  const m = CURRENT_NAMING.exec(model);
  if (!m) return true;
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  return major > 4 || (major === 4 && minor >= 5);
}
