print("ops")
