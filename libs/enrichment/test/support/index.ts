// @refinery/enrichment/testing: the stage runtime's test support, for other projects' tests.
export * from './pipeline';
export * from './scripted-llm';
export * from './stage-services';
