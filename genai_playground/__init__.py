"""Pure logic of the GenAI Playground program: config models and renderers, no Pulumi."""
