export { RulesProvider, type RulesProviderOptions } from './rules-provider';
