"""`python -m tests.scale.close_meeting MEETING_ID`: close a meeting's room from a third process.

Reads the deployment from the environment (DATABASE_URL, SOCKETIO_MESSAGE_QUEUE, CHIBO_CLUSTER)
as `python app.py` does; used by tests/scale/test_two_processes.py.
"""

import sys

from app import create_app
from meetings.presence import close_meeting

if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        close_meeting(int(sys.argv[1]))
    print("closed", flush=True)
