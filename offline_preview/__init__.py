"""The offline preview: the real program under Pulumi's mocks and the real policy pack over gRPC, with no cluster
and no Pulumi CLI. It is the pull-request gate and the GitOps renderer: `python -m offline_preview --stack dev`.
"""
