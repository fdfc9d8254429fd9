"""Reading entry content: turning what authors write into the HTML feeds carry."""
