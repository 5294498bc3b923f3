from emolab.cli.main import run

run()
