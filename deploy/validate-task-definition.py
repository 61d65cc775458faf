"""Checks ECS task definition JSON files against botocore's RegisterTaskDefinition input shape.

The same validation the AWS SDK runs before it sends the request, offline: unknown keys, wrong
types, missing required members. Exit 1 with botocore's report when a file does not match.
    deploy-venv/bin/python deploy/validate-task-definition.py FILE...
"""

import json
import sys

import botocore.session
from botocore.validate import ParamValidator


def main(files: list[str]) -> int:
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    failed = 0
    for name in files:
        with open(name, encoding="utf-8") as handle:
            params = json.load(handle)
        report = ParamValidator().validate(params, shape)
        if report.has_errors():
            print(f"{name}: does not match RegisterTaskDefinition\n{report.generate_report()}")
            failed += 1
        else:
            print(f"{name}: valid RegisterTaskDefinition input")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
