local texts = require("lib.texts")
return function(posting, ctx) return { { kind = "thank_you_card", text = texts.thanks } } end
