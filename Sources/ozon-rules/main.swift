import OzonRulesCLI
await OzonRules.main()
