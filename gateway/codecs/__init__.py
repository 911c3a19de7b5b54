"""Body codecs: PHP-style form arrays, JSON and hardened XML."""
