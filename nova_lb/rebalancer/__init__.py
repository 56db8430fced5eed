"""The rebalancer: runs collect -> plan -> execute, once or as a daemon."""
