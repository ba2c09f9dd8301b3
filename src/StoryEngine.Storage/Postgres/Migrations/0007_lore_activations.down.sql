DROP TABLE lore_activations;
