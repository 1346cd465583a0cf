"""Pulumi components of the GenAI Playground; each only wires resources from genai_playground's pure logic."""

TYPE_PREFIX = "genai-playground:index"
