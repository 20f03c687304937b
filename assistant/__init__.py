"""LSS-assistenten: answers about LSS from source documents, with citations."""
