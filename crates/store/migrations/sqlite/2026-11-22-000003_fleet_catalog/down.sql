DROP TABLE warehouses;
DROP TABLE products;
DROP TABLE machines;
DROP TABLE locations;
