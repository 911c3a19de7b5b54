"""The Icomm (icommkt / Icommarketing) Contacts API: JSON operations under /Contacts/<Operation>.Json."""
