"""One module per benchmark scenario; each has ``run(data_dir, reps) -> None`` and records its figures."""
