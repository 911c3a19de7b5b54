"""Body codecs: PHP-style form arrays, multipart parts, JSON and hardened XML."""
