"""Application operations shared by the API, the seed loader and the CLI: authorise, check
references, convert validated records to store models, write."""
