"""The marts: answers to the business's questions, built from the warehouse and the clickstream."""
