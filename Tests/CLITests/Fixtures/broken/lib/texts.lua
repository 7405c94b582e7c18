local M = {}
M.thanks = "Спасибо!"
M.broken = = 1
return M
