"""The dataplatform command: local stack, data generators and the demo job."""
