import OzonRulesCLI
import Foundation

exit(await OzonRules.runMain())
