/** Command ids; each must also be listed in package.json contributes.commands (an integration test checks). */
export const PICK_MODEL_COMMAND = 'anymodel.pickModel';
export const SHOW_LOG_COMMAND = 'anymodel.showLog';
export const SHOW_USAGE_COMMAND = 'anymodel.showUsage';

/** Commands served by the lazily loaded services bundle, by the name of the Services method. */
export const SERVICE_COMMANDS = {
  'anymodel.openChat': 'openChat',
  'anymodel.pickModel': 'pickModel',
  'anymodel.setApiKey': 'setApiKey',
  'anymodel.clearApiKey': 'clearApiKey',
  'anymodel.askAboutSelection': 'askAboutSelection',
  'anymodel.explainSelection': 'explainSelection',
  'anymodel.fixSelection': 'fixSelection',
  'anymodel.addSelectionToChat': 'addSelectionToChat',
  'anymodel.startProxy': 'startProxy',
  'anymodel.stopProxy': 'stopProxy',
  'anymodel.useInVSCodeChat': 'useInVSCodeChat',
  'anymodel.manageModels': 'manageModels',
  'anymodel.compareModels': 'compareModels',
  'anymodel.compareSelection': 'compareSelection',
  'anymodel.searchConversations': 'searchConversations',
  'anymodel.showUsage': 'showUsage',
} as const;
