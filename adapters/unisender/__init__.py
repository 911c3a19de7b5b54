"""The Unisender (classic API) dialect: methods, parameters, response shapes, error catalogue."""
