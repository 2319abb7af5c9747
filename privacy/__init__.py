"""The data protection officer's tools: find and erase one citizen's data across the services'
stores, keeping a record of each erasure (docs/privacy.md)."""
