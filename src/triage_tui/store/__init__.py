"""What survives a crash: the session store, the lock, atomic writes, folders."""
