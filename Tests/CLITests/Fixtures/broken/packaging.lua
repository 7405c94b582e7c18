-- Returns a table instead of a function.
return { packages = {} }
