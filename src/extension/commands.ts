/** Command ids; each must also be listed in package.json contributes.commands (an integration test checks). */
export const PICK_MODEL_COMMAND = 'anymodel.pickModel';
export const SHOW_LOG_COMMAND = 'anymodel.showLog';
