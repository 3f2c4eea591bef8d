"""Results the bank commits to: "you said, we did". What the bank does after answering a
critique, proposal or product request, with an owner, a due date, milestones and progress,
linked to the items it answers."""
