"""Files in and out: backlog loaders, the plan TOML, the brief, Jira markup."""
