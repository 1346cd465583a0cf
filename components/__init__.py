"""Pulumi components of the GenAI Playground; each only wires resources from genai_playground's pure logic."""
