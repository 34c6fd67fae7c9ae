"""The baseline for `streamconsole token`: the least a script needs to issue the same token.

Reads the config with tomllib, the application's key file (relative to the config), and
signs the claims Ant Media expects with PyJWT; prints the token.
Run: python benchmarks/pyjwt_token.py CONFIG APP STREAM publish|play
"""

import sys
import time
import tomllib
from pathlib import Path

import jwt

config_path, app, stream, direction = sys.argv[1:5]
config = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
key = config["applications"][app]["key"]
secret = (Path(config_path).parent / key["key_file"]).read_text(encoding="utf-8").strip()
claims = {"streamId": stream, "type": direction, "exp": int(time.time()) + 600}
print(jwt.encode(claims, secret, algorithm=key["algorithm"]))
